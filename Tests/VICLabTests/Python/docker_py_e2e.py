#!/usr/bin/env python3
"""docker-py (the Python docker SDK) end to end against a VCH over TLS.

    docker_py_e2e.py HOST:PORT CERT_DIR

CERT_DIR holds the VCH's ca.pem, cert.pem and key.pem. Prints one "ok STEP detail" line per
step and exits 0, or prints "FAIL STEP: reason" and exits 1 at the first failure.

TLS note: docker-py hands its TLSConfig to requests as the session's `verify`/`cert`, but it
sends no `verify` per request, so with `trust_env` on, requests replaces the session's CA (or
verify=False) with REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the environment, and the VCH's
self-signed CA is then never consulted ("unable to get local issuer certificate"). The client
below turns `trust_env` off so that its TLSConfig is what counts.
"""
import sys
import time

import docker
import urllib3
from docker.errors import ContainerError, NotFound

host, certs = sys.argv[1], sys.argv[2]
# The verify=False step below is deliberate.
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def fail(step, reason):
    print(f"FAIL {step}: {reason}", flush=True)
    sys.exit(1)


def ok(step, detail=""):
    print(f"ok {step} {detail}".rstrip(), flush=True)


def check(step, condition, reason):
    if not condition:
        fail(step, reason)


def connect(tls):
    client = docker.DockerClient(base_url=f"https://{host}", tls=tls, version="1.45", timeout=60)
    client.api.trust_env = False
    return client


verified = connect(docker.tls.TLSConfig(
    client_cert=(f"{certs}/cert.pem", f"{certs}/key.pem"), ca_cert=f"{certs}/ca.pem", verify=True))
version = verified.version()
check("tls-verify", version.get("ApiVersion") == "1.45", f"version {version}")
ok("tls-verify", version["ApiVersion"])

insecure = connect(docker.tls.TLSConfig(verify=False))
check("tls-insecure", insecure.ping() is True, "ping")
ok("tls-insecure")
client = verified

image = client.images.pull("busybox", tag="latest")
check("pull", "busybox:latest" in image.tags, f"tags {image.tags}")
ok("pull", image.id)

out = client.containers.run("busybox", ["sh", "-c", "echo hello from docker-py; echo to stderr >&2"],
                            name="py-out", stdout=True, stderr=True)
check("run-output", b"hello from docker-py\n" in out and b"to stderr\n" in out, repr(out))
ok("run-output", repr(out))

try:
    client.containers.run("busybox", ["sh", "-c", "echo bye >&2; exit 3"], remove=True)
    fail("run-error", "no ContainerError for exit 3")
except ContainerError as error:
    check("run-error", error.exit_status == 3 and b"bye" in (error.stderr or b""), repr(error))
ok("run-error", "exit 3")

sleeper = client.containers.run("busybox", ["sh", "-c", "echo ready; exec sleep 1000"], name="py-sleep", detach=True)
sleeper.reload()
check("run-detached", sleeper.status == "running", sleeper.status)
ip = sleeper.attrs["NetworkSettings"]["IPAddress"]
check("inspect-ip", ip.startswith("172.16.0."), ip)
bridge = sleeper.attrs["NetworkSettings"]["Networks"].get("bridge", {})
check("inspect-ip", bridge.get("IPAddress") == ip and bridge.get("Gateway") == "172.16.0.1", repr(bridge))
check("inspect-attrs", sleeper.attrs["Config"]["Cmd"] == ["sh", "-c", "echo ready; exec sleep 1000"]
      and sleeper.attrs["State"]["Running"] is True and sleeper.attrs["Name"] == "/py-sleep", repr(sleeper.attrs["State"]))
ok("run-detached", sleeper.short_id)
ok("inspect-ip", ip)

running = [c.name for c in client.containers.list()]
everything = sorted(c.name for c in client.containers.list(all=True))
check("list", running == ["py-sleep"], repr(running))
check("list", everything == ["py-out", "py-sleep"], repr(everything))
ok("list", " ".join(everything))

deadline = time.monotonic() + 10
while sleeper.logs() != b"ready\n" and time.monotonic() < deadline:
    time.sleep(0.05)
check("logs", sleeper.logs() == b"ready\n", repr(sleeper.logs()))
check("logs", client.containers.get("py-out").logs(stdout=True, stderr=False) == b"hello from docker-py\n",
      repr(client.containers.get("py-out").logs(stdout=True, stderr=False)))
ok("logs")

seven = client.containers.run("busybox", ["sh", "-c", "sleep 0.3; exit 7"], name="py-seven", detach=True)
result = seven.wait(timeout=30)
check("wait", result.get("StatusCode") == 7, repr(result))
ok("wait", str(result["StatusCode"]))

sleeper.stop(timeout=1)
result = sleeper.wait(timeout=30)
sleeper.reload()
check("stop", sleeper.status == "exited" and result.get("StatusCode") == 137, f"{sleeper.status} {result}")
ok("stop", str(result["StatusCode"]))

for name in ["py-sleep", "py-out", "py-seven"]:
    client.containers.get(name).remove()
try:
    client.containers.get("py-sleep")
    fail("remove", "py-sleep still exists")
except NotFound:
    pass
check("remove", client.containers.list(all=True) == [], repr(client.containers.list(all=True)))
ok("remove")
# Networks, as docker-py drives them: create with IPAM, connect a running container with an
# address and an alias, resolve it by alias from a peer, disconnect, remove.
from docker.types import IPAMConfig, IPAMPool
net = client.networks.create("py-net", driver="bridge", labels={"suite": "py"},
                             ipam=IPAMConfig(pool_configs=[IPAMPool(subnet="172.30.0.0/24", gateway="172.30.0.1")]))
net.reload()
config = net.attrs["IPAM"]["Config"][0]
check("network-create", config["Subnet"] == "172.30.0.0/24" and config["Gateway"] == "172.30.0.1"
      and net.attrs["Labels"] == {"suite": "py"} and net.attrs["Driver"] == "bridge", repr(net.attrs))
check("network-create", [n.name for n in client.networks.list(names=["py-net"])] == ["py-net"], "not listed")
ok("network-create", net.short_id)

member = client.containers.run("busybox", ["sleep", "1000"], name="py-member", detach=True)
net.connect(member, ipv4_address="172.30.0.50", aliases=["db"])
member.reload()
check("network-connect", member.attrs["NetworkSettings"]["Networks"]["py-net"]["IPAddress"] == "172.30.0.50",
      repr(member.attrs["NetworkSettings"]["Networks"]))
peer = client.containers.run("busybox", ["nslookup", "db"], network="py-net", remove=True)
check("network-connect", b"172.30.0.50" in peer, repr(peer))
ok("network-connect", "172.30.0.50")

net.disconnect(member)
member.reload()
check("network-disconnect", "py-net" not in member.attrs["NetworkSettings"]["Networks"],
      repr(member.attrs["NetworkSettings"]["Networks"]))
ok("network-disconnect")
member.remove(force=True)
net.remove()
check("network-remove", client.networks.list(names=["py-net"]) == [], "py-net still listed")
ok("network-remove")
# IPv6: a dual-stack network with an IPv6 pool, a member with a fixed IPv6 address, and a peer
# that reaches it over IPv6 by name.
six = client.networks.create("py-six", enable_ipv6=True,
                             ipam=IPAMConfig(pool_configs=[IPAMPool(subnet="fd00:70::/64")]))
six.reload()
check("network-ipv6", six.attrs["EnableIPv6"] is True
      and {"Subnet": "fd00:70::/64", "Gateway": "fd00:70::1"} in six.attrs["IPAM"]["Config"], repr(six.attrs))
v6member = client.containers.run("busybox", ["sleep", "1000"], name="py-v6", detach=True, network="bridge")
six.connect(v6member, ipv6_address="fd00:70::70")
v6member.reload()
endpoint = v6member.attrs["NetworkSettings"]["Networks"]["py-six"]
check("network-ipv6", endpoint["GlobalIPv6Address"] == "fd00:70::70" and endpoint["GlobalIPv6PrefixLen"] == 64
      and endpoint["IPv6Gateway"] == "fd00:70::1", repr(endpoint))
pinged = client.containers.run("busybox", ["ping6", "-c", "1", "-W", "2", "py-v6"], network="py-six", remove=True)
check("network-ipv6", b"fd00:70::70" in pinged, repr(pinged))
v6member.remove(force=True)
six.remove()
ok("network-ipv6", endpoint["GlobalIPv6Address"])
# Volumes, as docker-py drives them: create with labels, mount by name (docker-py sends the bind
# and lists its destination in Config.Volumes too), read back in another container, list, remove.
pyvol = client.volumes.create("py-vol", labels={"suite": "py"})
check("volumes", pyvol.attrs["Driver"] == "local" and pyvol.attrs["Labels"] == {"suite": "py"}, repr(pyvol.attrs))
client.containers.run("busybox", ["sh", "-c", "echo kept > /data/file"], volumes={"py-vol": {"bind": "/data", "mode": "rw"}},
                      remove=True)
kept = client.containers.run("busybox", ["cat", "/data/file"], volumes=["py-vol:/data:ro"], remove=True)
check("volumes", kept == b"kept\n", repr(kept))
check("volumes", [v.name for v in client.volumes.list(filters={"label": "suite=py"})] == ["py-vol"], "not listed")
pyvol.remove()
check("volumes", [v.name for v in client.volumes.list()] == [], "py-vol still listed")
ok("volumes")
# Detach keys: the attach ends when the client sends them, and the container keeps running.
cat = client.containers.run("busybox", ["cat"], name="py-cat", detach=True, stdin_open=True)
sock = client.api.attach_socket(cat.id, params={"stdin": 1, "stdout": 1, "stream": 1, "detachKeys": "ctrl-x"})
raw = getattr(sock, "_sock", sock)
raw.settimeout(10)
raw.sendall(b"echoed\n")
echoed = b""
while b"echoed" not in echoed:
    chunk = raw.recv(4096)
    if not chunk:
        break
    echoed += chunk
raw.sendall(b"\x18")
rest, closed = b"", False
try:
    while True:
        chunk = raw.recv(4096)
        if not chunk:
            closed = True  # the server ended the attach: detached
            break
        rest += chunk
except OSError:
    pass  # a timeout: the server kept the attach open
cat.reload()
check("detach-keys", b"echoed" in echoed and closed and cat.status == "running",
      f"echoed={echoed!r} rest={rest!r} closed={closed} status={cat.status}")
ok("detach-keys", cat.status)
cat.remove(force=True)
# Files: put_archive and get_archive (with the path stat docker-py parses from the header),
# diff, pause/unpause and commit, as docker-py drives them.
import io
import tarfile
box = client.containers.run("busybox", ["sleep", "1000"], name="py-files", detach=True)
payload = io.BytesIO()
with tarfile.open(fileobj=payload, mode="w") as archive:
    data = b"from python\n"
    info = tarfile.TarInfo("py.txt")
    info.size = len(data)
    info.mode = 0o640
    archive.addfile(info, io.BytesIO(data))
check("archive", box.put_archive("/tmp", payload.getvalue()), "put_archive returned False")
stream, stat = box.get_archive("/tmp/py.txt")
fetched = io.BytesIO(b"".join(stream))
with tarfile.open(fileobj=fetched) as archive:
    member = archive.getmember("py.txt")
    content = archive.extractfile(member).read()
check("archive", content == b"from python\n" and stat["name"] == "py.txt" and stat["size"] == 12
      and stat["mode"] & 0o777 == 0o640, f"content={content!r} stat={stat!r}")
try:
    box.get_archive("/nosuch")
    fail("archive", "a missing path was found")
except NotFound:
    pass
ok("archive", stat["name"])
changes = {(c["Path"], c["Kind"]) for c in box.diff()}
check("diff", ("/tmp/py.txt", 1) in changes and ("/tmp", 0) in changes, repr(changes))
ok("diff", len(changes))
box.pause()
box.reload()
check("pause", box.status == "paused" and box.attrs["State"]["Paused"], repr(box.attrs["State"]))
box.unpause()
box.reload()
check("pause", box.status == "running", repr(box.attrs["State"]))
ok("pause")
image = box.commit(repository="py-committed", tag="v1", message="by docker-py", changes=["CMD cat /tmp/py.txt"])
out = client.containers.run(image.id, remove=True)
check("commit", out == b"from python\n" and "py-committed:v1" in image.tags, f"{out!r} {image.tags!r}")
ok("commit", image.short_id)
box.remove(force=True)
client.images.remove("py-committed:v1")
print("docker-py end to end: all steps passed", flush=True)
