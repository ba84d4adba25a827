module.exports = {
  LEGACY: 'legacy-key',
};
module.exports.EXTRA = 'extra-key';
