exports.NAMED = 'cjs-named';
