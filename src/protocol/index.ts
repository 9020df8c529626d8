export * from './messages.ts';
export * from './guards.ts';
