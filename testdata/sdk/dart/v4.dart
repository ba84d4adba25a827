// Flagship Flutter SDK v4: getFlag(key) then value(default, visitorExposed: true).
import 'package:flagship/flagship.dart';

const kPriceKey = "dart4-price";

class PricingPage extends StatelessWidget {
  final Visitor visitor;
  const PricingPage(this.visitor);

  @override
  Widget build(BuildContext context) {
    final chained = visitor.getFlag("dart4-chained").value("dark", visitorExposed: false);
    final flag = visitor.getFlag(kPriceKey);
    final price = flag.value(9.99, visitorExposed: true);
    final maybe = visitor.getFlag("dart4-conditional")?.value(false);
    final collection = visitor.getFlags()["dart4-collection"];
    final flags = visitor.getFlags();
    final fromVar = flags["dart4-flags-var"]?.value(0);
    return Column(children: [
      Text(visitor.getFlag('dart4-argument').value('x')),
      ElevatedButton(
        onPressed: () {
          final flag = visitor.getFlag("dart4-closure");
          flag.value(1);
        },
        child: Text("$chained $price $maybe $collection $fromVar"),
      ),
    ]);
  }
}

void other() {
  // A default on a variable belongs to the getFlag that assigned it in the same scope.
  final flag = somethingElse();
  flag.value(true);
}
