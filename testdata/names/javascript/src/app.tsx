import { useFsFlag } from '@flagship.io/react-sdk';
import { FLAGS, FROZEN, Flag as F, SINGLE as S, RENAMED, changing, ALIASED } from './flags';
import Defaults from './flags';
import * as all from '@/flags';
import { MORE, F2, nested } from './barrel';
import { NOPE, LOOP } from './cycle-a';
import { EXTERNAL } from 'some-package';
const legacy = require('./legacy');
const { NAMED } = require('./named.cjs');

export function App() {
  useFsFlag(FLAGS.CHECKOUT, false);
  useFsFlag(FLAGS.NESTED.BANNER);
  useFsFlag(FROZEN.DARK);
  useFsFlag(F.Search);
  useFsFlag(F.Count);
  useFsFlag(S);
  useFsFlag(RENAMED);
  useFsFlag(changing);
  useFsFlag(Defaults.DEF);
  useFsFlag(all.SINGLE);
  useFsFlag(MORE);
  useFsFlag(F2.CHECKOUT);
  useFsFlag(nested.MORE);
  useFsFlag(NOPE);
  useFsFlag(LOOP);
  useFsFlag(EXTERNAL);
  useFsFlag(legacy.LEGACY);
  useFsFlag(legacy.EXTRA);
  useFsFlag(NAMED);
  useFsFlag(ALIASED);
  const k = FLAGS.CHECKOUT;
  useFsFlag(k);
  useFsFlag(FLAGS.MISSING);
}

export function Shadow(FLAGS: any) {
  return useFsFlag(FLAGS.CHECKOUT);
}

export function Local() {
  const FROZEN = { DARK: 'local-dark' };
  return useFsFlag(FROZEN.DARK);
}

export function Let() {
  let key = SINGLE_LOCAL;
  key = 'other';
  return useFsFlag(key);
}
const SINGLE_LOCAL = 'single-local';
import { SINGLE as S2 } from 'src/flags';
import D2 from './defaults';
export function More() {
  useFsFlag(S2);
  return useFsFlag(D2.X);
}
