#!/usr/bin/env python3
"""Writes the golden layer tarballs the unpacker tests read. Run it from this folder; the output
is committed, so tests never depend on Python."""
import gzip, io, tarfile

def add(tar, name, kind=tarfile.REGTYPE, data=b"", mode=0o644, link="", uid=0, gid=0, mtime=1700000000, pax=None):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.uid, info.gid, info.mtime, info.linkname = kind, mode, uid, gid, mtime, link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    if pax:
        info.pax_headers = pax
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

def write(path, build, fmt=tarfile.PAX_FORMAT, compress=False):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tar:
        build(tar)
    data = raw.getvalue()
    if compress:
        data = gzip.compress(data, mtime=0)
    open(path, "wb").write(data)

def base(tar):
    add(tar, "bin", tarfile.DIRTYPE, mode=0o755)
    add(tar, "bin/busybox", data=b"#!busybox\n", mode=0o755)
    add(tar, "bin/sh", tarfile.SYMTYPE, link="busybox", mode=0o777)
    add(tar, "bin/ls", tarfile.LNKTYPE, link="bin/busybox")
    add(tar, "etc/", tarfile.DIRTYPE, mode=0o755)
    add(tar, "etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n")
    add(tar, "etc/old", data=b"old\n")
    add(tar, "var/lib/data/keep", data=b"keep\n")
    add(tar, "./home/user/" + "d" * 120 + "/long-name.txt", data=b"long\n", uid=1000, gid=1000)
    add(tar, "tmp", tarfile.DIRTYPE, mode=0o1777)

def upper(tar):
    add(tar, "etc/.wh.old")
    add(tar, "var/lib/data/.wh..wh..opq")
    add(tar, "var/lib/data/new", data=b"new\n")
    add(tar, "etc/passwd", data=b"root:x:0:0:root:/root:/bin/ash\n")

def escape(tar):
    add(tar, "ok", data=b"ok\n")
    add(tar, "../evil", data=b"evil\n")

def through_symlink(tar):
    add(tar, "link", tarfile.SYMTYPE, link="/etc")
    add(tar, "link/passwd", data=b"evil\n")

write("base.tar.gz", base, compress=True)
write("upper.tar", upper, fmt=tarfile.GNU_FORMAT)
write("escape.tar", escape)
write("symlink-escape.tar", through_symlink)
