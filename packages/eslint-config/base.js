import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** ESLint for every TypeScript workspace. */
export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/.next/**', '**/.next-control/**', '**/.next-dev*/**', '**/.releases/**', '**/.turbo/**', '**/test-results/**', '**/playwright-report/**', 'next-env.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // webpack loaders and other CommonJS files Node loads as they are.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
