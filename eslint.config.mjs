import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/build/**',
      '**/coverage/**',
      '**/test-results/**',
      '**/playwright-report/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration once in the app config module.',
        },
      ],
    },
  },
  {
    // Config loaders, scripts and tests are where the environment is read.
    files: [
      '**/config/**',
      '**/*.spec.ts',
      '**/*.test.ts',
      '**/*.integration-spec.ts',
      '**/test/**',
      'e2e/**',
      'bench/**',
      'scripts/**',
      'bpf/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
);
