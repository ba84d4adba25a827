// Flagship JS SDK v2: modifications requested as objects.
const btnColorFlag = "btnColor";

visitor.getModifications([
  { key: "v2-color", defaultValue: "red", activate: true },
  { key: btnColorFlag, defaultValue: 12 },
]);
visitor.getModificationInfo("v2.info");
visitor.activateModifications([{ key: "v2-activate-obj" }]);
visitor.activateModifications(["v2-activate-str", "v2-activate-str2"]);

// A lone object with key/defaultValue is not a flag outside a v2 call.
const notAFlag = { key: "not-a-flag", defaultValue: 42 };
