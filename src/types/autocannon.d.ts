// autocannon ships no types; load.ts describes the small part it uses.
declare module 'autocannon';
