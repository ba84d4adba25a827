import 'package:app/flags/flag_keys.dart';
import '../flags/all.dart' as all;
import 'package:flutter/material.dart';
import 'package:other/keys.dart';

void build(visitor) {
  visitor.getFlag(FlagKeys.checkout, false);
  visitor.getFlag(topLevelKey, false);
  visitor.getFlag(all.FlagKeys.checkout, false);
  visitor.getFlag(FlagKeys.mutable, false);
  visitor.getFlag(ExtKeys.key, false);
}
