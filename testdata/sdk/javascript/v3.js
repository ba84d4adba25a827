// Flagship JS SDK v3: getFlag(key, default) then getValue().
const flag = visitor.getFlag("v3-btn", "blue");
const value = flag.getValue();
const info = visitor.getModificationInfo("v3.info");
visitor.getModification({ key: "v3-deprecated", defaultValue: true });
visitor.getModificationSync({ key: "v3-sync", defaultValue: [1, 2] });
visitor.getModificationInfoSync("v3-info-sync");
visitor.activateModification("v3-activate");
const n = visitor.getFlag("v3-number", 3.5).getValue();
