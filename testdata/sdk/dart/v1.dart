// Flagship Flutter SDK v1: getModification(key, default, activate: true).
import 'package:flagship/flagship.dart';

const String kPromoKey = 'dart1-promo';

class Shop {
  static const titleKey = "dart1-title";

  Future<void> render(Visitor visitor) async {
    final title = visitor.getModification(titleKey, "Welcome", activate: true);
    final enabled = visitor.getModification('dart1-enabled', false);
    final ratio = visitor.getModification(kPromoKey, 0.5, activate: false);
    final config = visitor.getModification("dart1.config", {"color": "red", "size": 2}, activate: true);
    final sizes = await visitor.getModification("dart1-sizes", <int>[1, 2]);
    print(Shop.titleKey + title + '$enabled $ratio $config $sizes');
  }
}
