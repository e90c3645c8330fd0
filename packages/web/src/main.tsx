import { render } from 'preact';
import { App } from './components/App.js';
import { currentLocale } from './i18n/index.js';
import { ChatModel } from './lib/model.js';
import './styles/index.css';

document.documentElement.lang = currentLocale();
// The page is served by the Retract server itself, so the API is on the same origin.
const model = new ChatModel(window.location.origin);
const root = document.getElementById('app');
if (root !== null) render(<App model={model} />, root);
