import nextPlugin from '@next/eslint-plugin-next';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import base from './base.js';

/** ESLint for the Next zones and the React packages they compile. */
export default tseslint.config(...base, {
  files: ['**/*.{ts,tsx}'],
  languageOptions: { globals: { ...globals.browser } },
  plugins: { '@next/next': nextPlugin, 'react-hooks': reactHooks },
  rules: {
    ...nextPlugin.configs.recommended.rules,
    ...reactHooks.configs.recommended.rules,
  },
});
