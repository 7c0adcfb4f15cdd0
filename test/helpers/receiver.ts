// The receiver is part of the plugin authors' test kit (core/plugin-testkit.ts).
export { Receiver, type Received, type Reply } from '../../core/testing/receiver.js';
