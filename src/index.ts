import {CachingRunner} from './runner/CachingRunner';

export type {CacheMode, RunnerOptions} from './options';
export default CachingRunner;
