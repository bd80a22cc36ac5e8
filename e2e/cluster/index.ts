export * from './cluster';
export * from './containerd';
export * from './docker';
export * from './file-server';
export * from './host';
export * from './images';
export * from './pods';
export { run } from './run';
