import { useFsFlag, useFlagship, useFsModifications, useFsActivate } from "@flagship.io/react-sdk";

// React v2
export function V2() {
  const mods = useFsModifications([{ key: "r2-title", defaultValue: "Hi", activate: true }]);
  useFsActivate(["r2-activate"]);
  const fs = useFlagship({ modifications: { requested: [{ key: "r2-requested", defaultValue: false }] } });
  return <div>{mods.title}</div>;
}

// React v3
export function V3() {
  const flag = useFsFlag("r3-flag", 0);
  const other = useFlagship().getFlag("r3-getflag", "x");
  const m = useFsModification({ key: "r3-mod", defaultValue: null });
  const info = useFsModificationInfo("r3-info");
  return <span>{flag.getValue()}</span>;
}

// React v4/v5
export function V4() {
  const color = useFsFlag("r4-color").getValue("#fff");
  const { getFlag, getFlags } = useFlagship();
  const size = getFlag("r4-size");
  const s = size.getValue(12);
  return <p title={getFlags().get("r4-collection")}>{color}</p>;
}
