import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './app/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { preloadForLocation } from './app/preload';
import { createQueryClient } from './app/providers';

const root = document.getElementById('root');
if (!root) throw new Error('console: #root element missing from index.html');
const client = createQueryClient();
preloadForLocation(client, window.location);
createRoot(root).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
