<?php
// Flagship PHP SDK v1/v2: getModification(key, default, activate).
namespace App\Controller;

use Flagship\Flagship;

define('BANNER_KEY', 'v2-banner');

class HomeController
{
    public function index($visitor)
    {
        $title = $visitor->getModification("v2-title", "Welcome", true);
        $enabled = $visitor->getModification('v2-enabled', false, false);
        $ratio = $visitor->getModification("v2.ratio", 0.5);
        $config = $visitor->getModification("v2-config", ["color" => "red", "size" => 2], true);
        $items = $visitor->getModification("v2-items", array(1, 2, 3));
        $banner = $visitor->getModification(BANNER_KEY, 'none');
        $info = $visitor->getModificationInfo("v2-info");
        $visitor->activateModification("v2-activate");
        return compact('title', 'enabled', 'ratio', 'config', 'items', 'banner', 'info');
    }
}
