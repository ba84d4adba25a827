// Flagship JS SDK v4/v5: getFlag(key) then getValue(default, exposed?).
const FLAG_KEY = "v4-const";

export async function render(visitor: Visitor): Promise<string> {
  const chained = visitor.getFlag("v4-chained").getValue("dark", false);
  const flag = visitor.getFlag(FLAG_KEY);
  const v = flag.getValue({ size: 2 } as object);
  if (visitor.getFlag("v4-exists").exists()) {
    console.log(visitor.getFlags().get("v4-collection"), visitor.getFlags().has("v4-has"));
  }
  const flags = visitor.getFlags();
  flags.get("v4-flags-var");
  return visitor.getFlag("v4-returned")?.getValue(10);
}

function other(): void {
  // A default on a variable belongs to the getFlag that assigned it in the same scope.
  const flag = somethingElse();
  flag.getValue(true);
}

function third(visitor: Visitor) {
  const flag = visitor.getFlag("v4-third");
  process(flag);
}

function collection(visitor: Visitor) {
  return visitor.getFlags().get("v4-collection-value").getValue(7);
}
