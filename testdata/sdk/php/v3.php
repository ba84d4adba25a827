<?php
// Flagship PHP SDK v3: getFlag(key, default) then getValue().
const DISCOUNT_KEY = "v3-discount";

final class Checkout
{
    private const EXPRESS = 'v3-express';

    public function render($visitor): string
    {
        $flag = $visitor->getFlag("v3-button", "blue");
        $color = $flag->getValue();
        $discount = $visitor->getFlag(DISCOUNT_KEY, 10)->getValue();
        $express = $visitor->getFlag(self::EXPRESS, true)->getValue();
        $layout = $visitor->getFlag('v3.layout', ['columns' => 2])->getValue();
        if ($visitor->getFlag("v3-exists", null)->exists()) {
            return "$color $discount";
        }
        return $color . $express . json_encode($layout);
    }
}
