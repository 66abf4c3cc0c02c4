/** What the local run's message server answers, so the phone gets replies with no setup. */
export const DEV_MESSAGE_RULES = {
  subscribe: { type: 'text', content: 'Welcome! Send "hello", or tap the menu.' },
  scan: { demo: { type: 'text', content: 'Welcome! You came through the QR code with the scene "demo".' } },
  keywords: [{ match: 'hello', reply: { type: 'text', content: 'Hello from the message server (a MESSAGE_RULES keyword).' } }],
  click: { DEMO_CLICK: { type: 'text', content: 'You tapped the menu item with the key DEMO_CLICK.' } },
};
