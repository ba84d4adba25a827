// Flagship Flutter SDK v2/v3: getFlag(key, default) then value().
import 'package:flagship/flagship.dart';

class Keys {
  static const button = 'dart3-button';
}

String render(Visitor visitor) {
  final flag = visitor.getFlag(Keys.button, "blue");
  final color = flag.value();
  final count = visitor.getFlag("dart3-count", 3).value();
  final on = visitor.getFlag('dart3.on', true).value(visitorExposed: false);
  final sizes = visitor.getFlag("dart3-sizes", const [1, 2]).value();
  final raw = visitor.getFlag(r'dart3-raw\key', '''it's "triple"''').value();
  if (visitor.getFlag("dart3-exists", "").exists) {
    return color;
  }
  return "$count $on $sizes $raw";
}
