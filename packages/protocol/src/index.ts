export * from './common';
export * from './workload';
export * from './process';
export * from './policy';
export * from './threat';
export * from './agent-messages';
export * from './rest';
export * from './permissions';
