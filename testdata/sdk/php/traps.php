<html>
<body>
<p>$visitor->getFlag("in-html-text")</p>
<!-- fe:flag: in-html-comment, true -->
<?php
// $visitor->getFlag("in-line-comment")
# $visitor->getFlag("in-hash-comment")
/* $visitor->getFlag("in-block-comment") */
$s = '$visitor->getFlag("in-string")';
$t = "\$visitor->getFlag('in-double-string')";
$visitor->getFlag("one"); $visitor->getFlag('two', true);
$dynamic = $visitor->getFlag("flag-$name");
$braced = $visitor->getFlag("flag-{$name}");
$variable = $visitor->getFlag($someVariable);
$concat = $visitor->getFlag("prefix-" . $suffix);
$constConcat = $visitor->getFlag("pre" . 'fixed');
// fe:flag: flagKey6, true
callThroughIndirection();
# fs:flag:old.style-key
doSomething();
// fe:flag: annotated-call, "x"
$visitor->getFlag("annotated-call", "x");
$str = "fe:flag: not-an-annotation, true";
/* fe:flag: typed-only, number */
logValue($visitor->getFlag("as-argument")->getValue(0));
$reassigned = "first";
$reassigned = "second";
$visitor->getFlag($reassigned);
$visitor->getFlag(Flags::CLASS_KEY);
$heredocKey = <<<EOT
    flag-$name
    EOT; $visitor->getFlag($heredocKey);
function returned($visitor) {
    return $visitor->getFlag("returned");
}
class Flags { const CLASS_KEY = "class.const-key"; }
?>
<p><?= $visitor->getFlag("in-echo-tag")->getValue("x") ?></p>
<?php if ($visitor->getFlag("in-if")->exists()): ?>
  <span>getFlag("still-html")</span>
<?php endif; ?>
<?php $visitor->getFlag("last-line-no-newline");