package treesitter

import (
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/syntax/syntaxtest"
)

func TestPHPModel(t *testing.T) {
	f := extract(t, "php", `<p>$visitor->getFlag("html")</p>
<?php
// fe:flag: k, 1
const KEY = "k-1";
define('OTHER', 'o\'\n');
class Keys {
    public const BTN = "b\x41";
    public readonly string $ro;
    public $prop = 'p';
}
# hash
function f($visitor, $name) {
    $a = $visitor->getModification(Keys::BTN, ['color' => "red", 'size' => -2], true);
    $b = ($visitor?->getFlag("k-$name")->getValue(defaultValue: [1, null], visitorExposed: false));
    $visitor->getFlags()->get(\Ns\KEY);
    $l = fn() => Flagship::getFlag(self::KEY . "x", TRUE);
    $h = <<<EOT
        line $name
        EOT;
    $n = <<<'EOT'
      raw $x
        two
      EOT;
    $this->p = "q";
}
?>
<!-- getFlag("html-comment") -->
<?= getFlag(OTHER) ?>`)
	syntaxtest.Check(t, "calls", syntaxtest.CallsBySource(f), []string{
		`13:20 getModification recv=ident:visitor (ident:BTN, object{color=string:red,size=number:-2}, bool:true) =a #1`,
		`14:22 getFlag recv=ident:visitor (template) #1`,
		`14:42 getValue recv=call(getFlag) (defaultValue=array[number:1,null], visitorExposed=bool:false) =b #1`,
		`15:15 getFlags recv=ident:visitor () #1`,
		`15:27 get recv=call(getFlags) (ident:KEY) #1`,
		`16:28 getFlag recv=ident:Flagship (template, bool:true) #2`,
		`28:5 getFlag (ident:OTHER) #0`,
	})
	syntaxtest.Check(t, "bindings", syntaxtest.Bindings(f), []string{
		`const KEY=string:k-1 #0`, "const OTHER=string:o'\\n #0",
		`const BTN=string:bA #0`, `const ro=other #0`, `prop=string:p #0`,
		`a=call(getModification) #1`, `b=call(getValue) #1`, `l=other #1`,
		`h=template #1`, "n=string:raw $x\n  two #1", `p=string:q #1`,
	})
	syntaxtest.Check(t, "comments", syntaxtest.Comments(f), []string{`3:1 // fe:flag: k, 1`, `11:1 # hash`})
	syntaxtest.Check(t, "scopes", syntaxtest.Scopes(f), []int{0, 1})
}

func TestPHPRobust(t *testing.T) {
	robust(t, "php", "php",
		"<?php "+strings.Repeat("getFlag(", 2000)+strings.Repeat("[[", 2000),
		`<?php $v->getFlag("k"`+strings.Repeat(", 1", 5000),
		"<?php $x = <<<EOT\n{$v->getFlag(\"",
		"<html><?php /* unterminated",
	)
}
