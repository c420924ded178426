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

# Image archives for the save/load tests: one Docker archive in the layout of `docker save`
# before 25 (<id>/layer.tar, <config>.json, a symlinked duplicate layer), one OCI image layout
# with gzip layers (index.json only), and a root file system tarball for `docker import`.
import hashlib, json

def tar_bytes(build, fmt=tarfile.PAX_FORMAT):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tar:
        build(tar)
    return raw.getvalue()

def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()

def compact(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()

def layer_one(tar):
    add(tar, "bin", tarfile.DIRTYPE, mode=0o755)
    add(tar, "bin/hello", data=b"#!/bin/sh\necho hello\n", mode=0o755)
    add(tar, "etc/", tarfile.DIRTYPE, mode=0o755)
    add(tar, "etc/motd", data=b"one\n")

def layer_two(tar):
    add(tar, "etc/.wh.motd")
    add(tar, "etc/issue", data=b"two\n")

def config(diff_ids, created, labels=None):
    return compact({
        "architecture": "amd64", "os": "linux", "created": created,
        "config": {"Cmd": ["/bin/hello"], "Env": ["PATH=/bin"], "Labels": labels or {}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": created, "created_by": "layer one"}, {"created": created, "created_by": "layer two"}],
    })

def archive(path, members):
    """members: (name, bytes) or (name, None, link target) for symlinks."""
    def build(tar):
        for member in members:
            if len(member) == 3:
                add(tar, member[0], tarfile.SYMTYPE, link=member[2], mode=0o777)
            elif member[1] is None:
                add(tar, member[0], tarfile.DIRTYPE, mode=0o755)
            else:
                add(tar, member[0], data=member[1])
    open(path, "wb").write(tar_bytes(build))

one, two = tar_bytes(layer_one), tar_bytes(layer_two)

# Docker archive, two images sharing layer one; the second links to the first's layer.tar.
cfg_a = config([sha(one), sha(two)], "2024-01-02T03:04:05Z", {"fixture": "a"})
cfg_b = config([sha(one)], "2024-02-02T03:04:05Z", {"fixture": "b"})
id_one, id_two, id_b = hashlib.sha256(b"v1-one").hexdigest(), hashlib.sha256(b"v1-two").hexdigest(), hashlib.sha256(b"v1-b").hexdigest()
archive("archive-docker.tar", [
    (f"{id_one}/", None), (f"{id_one}/layer.tar", one),
    (f"{id_two}/", None), (f"{id_two}/layer.tar", two),
    (f"{id_b}/", None), (f"{id_b}/layer.tar", None, f"../{id_one}/layer.tar"),
    (sha(cfg_a)[7:] + ".json", cfg_a), (sha(cfg_b)[7:] + ".json", cfg_b),
    ("manifest.json", compact([
        {"Config": sha(cfg_a)[7:] + ".json", "RepoTags": ["fixture:a"], "Layers": [f"{id_one}/layer.tar", f"{id_two}/layer.tar"]},
        {"Config": sha(cfg_b)[7:] + ".json", "RepoTags": ["example.com/fixture:b", "fixture:b"], "Layers": [f"{id_b}/layer.tar"]},
    ])),
    ("repositories", compact({"fixture": {"a": id_two}})),
])

# OCI layout with gzip layers, named only by annotations.
gz_one, gz_two = gzip.compress(one, mtime=0), gzip.compress(two, mtime=0)
cfg_c = config([sha(one), sha(two)], "2024-03-02T03:04:05Z")
manifest_c = compact({
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(cfg_c), "size": len(cfg_c)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha(g), "size": len(g)} for g in (gz_one, gz_two)],
})
index_c = compact({"schemaVersion": 2, "manifests": [{
    "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(manifest_c), "size": len(manifest_c),
    "annotations": {"io.containerd.image.name": "docker.io/library/ocifixture:2", "org.opencontainers.image.ref.name": "2"}}]})
archive("archive-oci.tar", [("oci-layout", compact({"imageLayoutVersion": "1.0.0"})), ("index.json", index_c), ("blobs/", None),
    ("blobs/sha256/", None)] + [("blobs/sha256/" + sha(b)[7:], b) for b in (gz_one, gz_two, cfg_c, manifest_c)])

# A root file system for `docker import`.
write("rootfs.tar.gz", layer_one, compress=True)
