import Foundation
import Testing
import VICCore

@testable import VICEngineAPI
@testable import VICPortLayer
@testable import VICImage
import VICRuntime

@Suite("ResourceSample")
struct ResourceSampleTests {
    static let netDev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
          eth0:    2048      20    1    2    0     0          0         0     1024      10    3    4    0     0       0          0
        """
    static let procStat = "cpu  100 0 50 800 50 0 0 7 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\ncpu1 50 0 25 400 25 0 0 0 0 0\nintr 1\n"

    @Test("cgroup v1 (hybrid host): memory, cpuacct and pids controllers, host memory caps no limit")
    func version1() {
        let files: [String: String] = [
            "/proc/stat": Self.procStat,
            "/proc/meminfo": "MemTotal:        2048 kB\nMemFree: 1 kB\n",
            "/proc/42/net/dev": Self.netDev,
            "/proc/42/cgroup": "12:pids:/c1\n5:memory:/c1\n3:cpuacct:/c1\n2:cpu:/c1\n1:name=systemd:/c1\n0::/c1\n",
            "/sys/fs/cgroup/memory/c1/cgroup.procs": "42\n43\n",
            "/sys/fs/cgroup/memory/c1/memory.usage_in_bytes": "1048576\n",
            "/sys/fs/cgroup/memory/c1/memory.max_usage_in_bytes": "2097152\n",
            "/sys/fs/cgroup/memory/c1/memory.limit_in_bytes": "9223372036854771712\n",
            "/sys/fs/cgroup/memory/c1/memory.stat": "cache 4096\nrss 8192\ntotal_inactive_file 4096\n",
            "/sys/fs/cgroup/cpuacct/c1/cgroup.procs": "42\n",
            "/sys/fs/cgroup/cpuacct/c1/cpuacct.usage": "5000000\n",
            "/sys/fs/cgroup/cpuacct/c1/cpuacct.usage_percpu": "3000000 2000000 \n",
            "/sys/fs/cgroup/cpuacct/c1/cpuacct.stat": "user 3\nsystem 1\n",
            "/sys/fs/cgroup/pids/c1/cgroup.procs": "42\n",
            "/sys/fs/cgroup/pids/c1/pids.current": "2\n",
            "/sys/fs/cgroup/pids/c1/pids.max": "max\n",
        ]
        let sample = ResourceSample.collect(pid: 42, ticksPerSecond: 100) { files[$0] }
        #expect(sample.systemCPU == 1000 * 10_000_000)
        #expect(sample.onlineCPUs == 2)
        #expect(sample.cpuTotal == 5_000_000)
        #expect(sample.cpuPerCPU == [3_000_000, 2_000_000])
        #expect(sample.cpuUser == 30_000_000 && sample.cpuKernel == 10_000_000)
        #expect(sample.memoryUsage == 1_048_576 && sample.memoryMaxUsage == 2_097_152)
        #expect(sample.memoryLimit == 2048 * 1024)
        #expect(sample.memoryStats["total_inactive_file"] == 4096)
        #expect(sample.pids == 2 && sample.pidsLimit == 0)
        #expect(sample.networks.keys.sorted() == ["eth0"])
        #expect(sample.networks["eth0"] == .init(rxBytes: 2048, rxPackets: 20, rxErrors: 1, rxDropped: 2,
                                                  txBytes: 1024, txPackets: 10, txErrors: 3, txDropped: 4))
    }

    @Test("cgroup v2: one unified directory, limits as numbers or max")
    func version2() {
        let files: [String: String] = [
            "/proc/stat": Self.procStat,
            "/sys/fs/cgroup/cgroup.controllers": "cpu memory pids\n",
            "/proc/7/cgroup": "0::/vic/c2\n",
            "/sys/fs/cgroup/vic/c2/memory.current": "4096\n",
            "/sys/fs/cgroup/vic/c2/memory.max": "1048576\n",
            "/sys/fs/cgroup/vic/c2/memory.stat": "anon 1024\ninactive_file 512\n",
            "/sys/fs/cgroup/vic/c2/cpu.stat": "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n",
            "/sys/fs/cgroup/vic/c2/pids.current": "3\n",
            "/sys/fs/cgroup/vic/c2/pids.max": "100\n",
        ]
        let sample = ResourceSample.collect(pid: 7) { files[$0] }
        #expect(sample.memoryUsage == 4096 && sample.memoryLimit == 1_048_576)
        #expect(sample.memoryStats["inactive_file"] == 512)
        #expect(sample.cpuTotal == 1_500_000 && sample.cpuUser == 1_000_000 && sample.cpuKernel == 500_000)
        #expect(sample.pids == 3 && sample.pidsLimit == 100)
        #expect(sample.networks.isEmpty)
    }

    @Test("A joined v1 hierarchy (cpu,cpuacct) is found by its joined name")
    func joinedHierarchy() {
        let files = ["/sys/fs/cgroup/cpu,cpuacct/x/cgroup.procs": "1\n"]
        let paths = CgroupPaths(procCgroup: "4:cpu,cpuacct:/x\n", read: { files[$0] })
        #expect(paths.v1["cpuacct"] == "/sys/fs/cgroup/cpu,cpuacct/x")
        #expect(paths.processDirectory == "/sys/fs/cgroup/cpu,cpuacct/x")
    }

    @Test("The stats response carries the samples the CLI computes CPU % from")
    func wire() throws {
        var previous = ResourceSample()
        previous.cpuTotal = 1_000
        previous.systemCPU = 10_000
        var sample = ResourceSample()
        sample.timeNano = 1_748_779_200_123_456_789
        sample.cpuTotal = 2_000
        sample.systemCPU = 20_000
        sample.onlineCPUs = 2
        let stats = DockerStats(name: "web", id: "abc", sample: sample, previous: previous)
        #expect(stats.name == "/web")
        #expect(stats.read == "2025-06-01T12:00:00.123456789Z")
        #expect(stats.cpu_stats.cpu_usage.total_usage == 2_000 && stats.precpu_stats.system_cpu_usage == 10_000)
    }
}

@Suite("ProcessTable")
struct ProcessTableTests {
    @Test("Keeps the container's processes, joins the command column, follows thread lines")
    func parse() throws {
        let output = """
            UID          PID    PPID  C STIME TTY          TIME CMD
            root           1       0  0 10:00 ?        00:00:01 /sbin/init
            root         500       1  0 10:01 ?        00:00:00 sleep 1000
            root           -       -  0 10:01 -        00:00:00 -
            root         501     500  0 10:01 pts/0    00:00:00 sh -c echo hi
            """
        let table = try ProcessTable(psOutput: output, pids: [500, 501])
        #expect(table.titles == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"])
        #expect(table.processes.count == 3)
        #expect(table.processes[0].last == "sleep 1000")
        #expect(table.processes[2] == ["root", "501", "500", "0", "10:01", "pts/0", "00:00:00", "sh -c echo hi"])
    }

    @Test("Output without a PID column is an error")
    func noPID() {
        #expect(throws: VICError.self) { try ProcessTable(psOutput: "USER CMD\nroot init\n", pids: []) }
    }
}

@Suite("EventFilter")
struct EventFilterTests {
    static let event = EventRecord(
        type: "container", action: "exec_start: sh -c true", actorID: "0123456789abcdef",
        attributes: ["name": "web", "image": "busybox:latest", "tier": "front"], timeNano: 1)

    @Test("Filters by type, action, container, image and label", arguments: [
        (#"{"type":{"container":true}}"#, true),
        (#"{"type":{"image":true}}"#, false),
        (#"{"event":{"exec_start":true}}"#, true),
        (#"{"event":{"start":true}}"#, false),
        (#"{"container":{"web":true}}"#, true),
        (#"{"container":{"0123":true}}"#, true),
        (#"{"container":{"db":true}}"#, false),
        (#"{"image":{"busybox":true}}"#, true),
        (#"{"label":{"tier=front":true}}"#, true),
        (#"{"label":{"tier=back":true}}"#, false),
        (#"{"type":{"container":true},"event":{"die":true,"exec_start":true}}"#, true),
    ])
    func matching(_ json: String, _ expected: Bool) throws {
        let filter = try EventFilter(try FilterArguments(json: json))
        #expect(filter.matches(Self.event) == expected)
    }

    @Test("An unknown filter is a 400")
    func unknown() throws {
        #expect(throws: VICError.self) { try EventFilter(try FilterArguments(json: #"{"colour":{"red":true}}"#)) }
    }

    @Test("since and until as the CLI sends them", arguments: [
        ("1700000000.000000000", Int64(1_700_000_000_000_000_000)),
        ("1700000000.5", Int64(1_700_000_000_500_000_000)),
        ("1700000000", Int64(1_700_000_000_000_000_000)),
    ])
    func eventTime(_ text: String, _ nanos: Int64) throws {
        #expect(try Router.eventTime(text, now: Date()) == nanos)
    }

    @Test("The log keeps its capacity and hands later events to a subscriber")
    func log() async {
        let log = EventLog(capacity: 2)
        for action in ["a", "b", "c"] { log.emit(EventRecord(type: "container", action: action, actorID: "x", attributes: [:])) }
        let subscription = log.subscribe()
        #expect(subscription.past.map(\.action) == ["b", "c"])
        log.emit(EventRecord(type: "container", action: "d", actorID: "x", attributes: [:]))
        subscription.cancel()
        var live: [String] = []
        for await event in subscription.live { live.append(event.action) }
        #expect(live == ["d"])
    }
}

@Suite("PruneFilter")
struct PruneFilterTests {
    static let now = Date(timeIntervalSince1970: 1_748_779_200)

    @Test("until (duration or timestamp) and label / label! select what is pruned", arguments: [
        (#"{}"#, true),
        (#"{"until":{"10m":true}}"#, false),
        (#"{"until":{"1m":true}}"#, true),
        (#"{"until":{"1748779200":true}}"#, true),
        (#"{"label":{"keep":true}}"#, true),
        (#"{"label!":{"keep":true}}"#, false),
        (#"{"label!":{"keep=no":true}}"#, true),
        (#"{"label":{"other":true}}"#, false),
    ])
    func matching(_ json: String, _ expected: Bool) throws {
        let filter = try PruneFilter(try FilterArguments(json: json), now: Self.now)
        #expect(filter.matches(created: Self.now.addingTimeInterval(-300), labels: ["keep": "yes"]) == expected)
    }

    @Test("Go durations", arguments: [("10m", 600.0), ("1h30m", 5400.0), ("45s", 45.0), ("250ms", 0.25)])
    func durations(_ text: String, _ seconds: Double) {
        #expect(Timestamps.goDuration(text) == seconds)
    }

    @Test("A bad until is a 400")
    func badUntil() {
        #expect(throws: VICError.self) { try PruneFilter(try FilterArguments(json: #"{"until":{"soon":true}}"#), now: Self.now) }
    }

    @Test("Filters other than the caller's are a 400")
    func unknownFilter() throws {
        let dangling = try FilterArguments(json: #"{"dangling":{"false":true}}"#)
        #expect(throws: VICError.self) { try PruneFilter(dangling, now: Self.now) }
        _ = try PruneFilter(dangling, now: Self.now, accepting: ["dangling"])
    }
}

@Suite("VolumeRoutes")
struct VolumeRouteTests {
    @Test("Volumes need the port layer: a backend without one answers 501")
    func needsThePortLayer() async throws {
        let response = await RouterTests.router(try FakeBackend.sample()).send(.GET, "/v1.45/volumes")
        #expect(response.status == .notImplemented)
    }

    @Test("A volume in Docker's shape: local driver and scope, null labels and options when there are none")
    func shape() throws {
        var volume = Volume(name: "data", store: "default", created: Date(timeIntervalSince1970: 1_700_000_000), anonymous: false)
        let plain = try JSONSerialization.jsonObject(with: JSONEncoder().encode(DockerVolume(volume, mountpoint: "/v/data/_data"))) as? [String: Any]
        #expect(plain?["Name"] as? String == "data" && plain?["Driver"] as? String == "local" && plain?["Scope"] as? String == "local")
        #expect(plain?["Mountpoint"] as? String == "/v/data/_data")
        #expect(plain?["CreatedAt"] as? String == "2023-11-14T22:13:20Z")
        #expect(plain?["Labels"] is NSNull && plain?["Options"] is NSNull && plain?["UsageData"] == nil)
        volume.labels = ["a": "b"]
        volume.options = ["VolumeStore": "fast"]
        let labelled = try JSONSerialization.jsonObject(with: JSONEncoder().encode(DockerVolume(volume, mountpoint: ""))) as? [String: Any]
        #expect(labelled?["Labels"] as? [String: String] == ["a": "b"])
        #expect(labelled?["Options"] as? [String: String] == ["VolumeStore": "fast"])
    }

    @Test("GET /plugins/{name}/json is a 404, so docker inspect moves on")
    func plugin() async throws {
        let response = await RouterTests.router(try FakeBackend.sample()).send(.GET, "/v1.45/plugins/nosuch/json")
        #expect(response.status == .notFound)
    }
}
