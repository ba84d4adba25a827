class FlagKeys {
  static const checkout = 'checkout-dart';
  static String mutable = 'mutable-dart';
}

const topLevelKey = 'top-dart';
