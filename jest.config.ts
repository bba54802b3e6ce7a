/** @jest-config-loader esbuild-register */
import type {Config} from 'jest';

// The project's own tests: each spawns real jest processes on copies of fixtures/.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {'^.+\\.ts$': '@swc/jest'},
  testTimeout: 180_000,
  // Each test spawns jest processes: two at a time fill this 2-core machine.
  maxWorkers: 2,
};

export default config;
