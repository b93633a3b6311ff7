# Node clients of the realtime tests (test/realtime): ws, yjs, y-websocket.
npm_ci test/clients/ws
