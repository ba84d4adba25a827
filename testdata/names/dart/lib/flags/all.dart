export 'flag_keys.dart';
