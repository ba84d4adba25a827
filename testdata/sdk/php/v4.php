<?php
// Flagship PHP SDK v4: getFlag(key) then getValue(default, visitorExposed).
class Pricing
{
    const PRICE_KEY = "v4-price";

    public function render($visitor)
    {
        $chained = $visitor->getFlag("v4-chained")->getValue("dark", false);
        $flag = $visitor->getFlag(static::PRICE_KEY);
        $price = $flag->getValue(9.99, true);
        $named = $visitor->getFlag("v4-named")->getValue(defaultValue: -1, visitorExposed: true);
        $maybe = $visitor?->getFlag("v4-nullsafe")?->getValue(false);
        $collection = $visitor->getFlags()->get("v4-collection");
        $flags = $visitor->getFlags();
        $fromVar = $flags->get("v4-flags-var");
        $heredoc = $visitor->getFlag(<<<KEY
            v4-heredoc
            KEY)->getValue(1);
        return [$chained, $price, $named, $maybe, $collection, $fromVar, $heredoc];
    }

    public function other()
    {
        // A default on a variable belongs to the getFlag that assigned it in the same scope.
        $flag = somethingElse();
        $flag->getValue(true);
    }

    public function third($visitor)
    {
        $flag = $visitor->getFlag("v4-third");
        process($flag);
    }
}
