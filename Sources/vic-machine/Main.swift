import Foundation
import VICMachine

@main
struct Main {
    static func main() async {
        exit(await VicMachine.runMain())
    }
}
