<?php
namespace App\Http;

use App\Flags\FlagKeys;
use App\Flags\FlagKeys as FK;
use Vendor\Package\ExtKeys;

class Controller
{
    const OWN = 'own-php';

    public function show($visitor)
    {
        $visitor->getFlag(FlagKeys::CHECKOUT, 'x');
        $visitor->getFlag(FK::BANNER, 'x');
        $visitor->getFlag(\App\Flags\FlagKeys::CHECKOUT, 'x');
        $visitor->getFlag(GLOBAL_KEY, 'x');
        $visitor->getFlag(ExtKeys::KEY, 'x');
        $visitor->getFlag(self::OWN, 'x');
    }
}
