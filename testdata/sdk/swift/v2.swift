// Flagship iOS SDK v2: getModification with a typed default label.
import Flagship

let bannerKey = "v2-banner"

final class HomeViewController: UIViewController {
    override func viewDidLoad() {
        super.viewDidLoad()
        let title = Flagship.sharedInstance.getModification("v2-title", defaultString: "Welcome", activate: true)
        let enabled = Flagship.sharedInstance.getModification("v2-enabled", defaultBool: false, activate: false)
        let ratio = Flagship.sharedInstance.getModification("v2.ratio", defaultDouble: 0.5)
        let size = Flagship.sharedInstance.getModification("v2-size", defaultFloat: 12.0, activate: true)
        let count = Flagship.sharedInstance.getModification("v2-count", defaultInt: -3, activate: true)
        let config = Flagship.sharedInstance.getModification("v2-config", defaultJson: ["color": "red"], activate: true)
        let items = Flagship.sharedInstance.getModification("v2-items", defaultArray: [1, 2, 3], activate: true)
        let banner = Flagship.sharedInstance.getModification(bannerKey, defaultString: "none")
        Flagship.sharedInstance.activateModification(key: "v2-activate")
        render(title, enabled, ratio, size, count, config, items, banner)
    }
}
