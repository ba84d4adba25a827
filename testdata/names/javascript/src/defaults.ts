const D = { X: 'default-ident' };
export default D;
