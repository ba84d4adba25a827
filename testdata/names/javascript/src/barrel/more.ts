export const MORE = 'more-key';
