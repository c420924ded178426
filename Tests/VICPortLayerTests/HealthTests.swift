import Foundation
import Testing
import VICImage
@testable import VICPortLayer

/// Health checks: settings merged as dockerd merges them, and probes counted as it counts them.
@Suite struct HealthTests {
    typealias Config = ImageConfiguration.HealthConfig

    @Test func userSettingsOverTheImagesFieldByField() {
        let image = Config(Test: ["CMD", "true"], Interval: 10_000_000_000, Timeout: 0, Retries: 5)
        let merged = Config(Test: [], Interval: 0, Timeout: 2_000_000_000, Retries: 0).over(image)
        #expect(merged == Config(Test: ["CMD", "true"], Interval: 10_000_000_000, Timeout: 2_000_000_000, Retries: 5))
        #expect(merged.interval == .seconds(10) && merged.timeout == .seconds(2) && merged.retries == 5)
        #expect(Config().startInterval == .seconds(5) && Config().interval == .seconds(30) && Config().retries == 3)
        #expect(!Config(Test: ["NONE"]).over(image).isEnabled, "--no-healthcheck turns the image's off")
        #expect(Config(Test: ["CMD-SHELL", "test -f /ok"]).argv() == ["/bin/sh", "-c", "test -f /ok"])
        #expect(Config(Test: ["CMD-SHELL", "test -f /ok"]).argv(shell: ["/bin/bash", "-ec"]) == ["/bin/bash", "-ec", "test -f /ok"])
        #expect(Config(Test: ["CMD", "curl", "-f", "x"]).argv(shell: ["/bin/bash", "-c"]) == ["curl", "-f", "x"])
        #expect(!Config(Test: ["CMD"]).isEnabled && !Config(Test: ["BOGUS", "x"]).isEnabled)
    }

    func probe(_ code: Int) -> ContainerState.Health.Probe {
        .init(start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 1), exitCode: code, output: "")
    }

    @Test func failuresCountAfterTheStartPeriodAndRetriesMakeItUnhealthy() {
        var health = ContainerState.Health()
        var changed = health.record(probe(1), retries: 2, inStartPeriod: true)
        #expect(!changed)
        #expect(health.status == .starting && health.failingStreak == 0, "a failure in the start period does not count")
        changed = health.record(probe(1), retries: 2, inStartPeriod: false)
        #expect(!changed)
        changed = health.record(probe(1), retries: 2, inStartPeriod: false)
        #expect(changed)
        #expect(health.status == .unhealthy && health.failingStreak == 2)
        changed = health.record(probe(0), retries: 2, inStartPeriod: false)
        #expect(changed)
        #expect(health.status == .healthy && health.failingStreak == 0)
        changed = health.record(probe(1), retries: 2, inStartPeriod: true)
        #expect(!changed)
        #expect(health.failingStreak == 1, "once healthy, a failure in the start period counts")
        for _ in 0..<5 { _ = health.record(probe(0), retries: 2, inStartPeriod: false) }
        #expect(health.log.count == 5, "the last five probes are kept")
    }

    @Test func statusShowsTheHealth() {
        var state = ContainerState()
        try? state.started(pid: 1, at: Date(timeIntervalSince1970: 0))
        state.health = ContainerState.Health()
        #expect(state.humanStatus(now: Date(timeIntervalSince1970: 5)) == "Up 5 seconds (health: starting)")
        state.health?.status = .unhealthy
        #expect(state.humanStatus(now: Date(timeIntervalSince1970: 5)) == "Up 5 seconds (unhealthy)")
    }
}
