import Testing
@testable import VICPortLayer

@Suite struct EnvironmentTests {
    @Test(arguments: [
        (["PATH=/bin", "A=1"], ["A=2", "B=3"], ["PATH=/bin", "A=2", "B=3"]),
        ([], ["A=1"], [ContainerManager.defaultPath, "A=1"]),
        (["A=1"], ["PATH=/opt"], ["A=1", "PATH=/opt"]),
        ([], [], [ContainerManager.defaultPath]),
    ] as [([String], [String], [String])])
    func userOverridesImageAndPathDefaults(_ image: [String], _ user: [String], _ expected: [String]) {
        #expect(ContainerManager.mergeEnvironment(image, user) == expected)
    }
}
