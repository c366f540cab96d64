import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Requests Node's HTTP parser refuses before any route sees them (a control character in a header,
 * headers over 16 KB, a malformed request line) get the API's JSON error shape too, instead of Node's
 * bare `400` with no body: every 4xx a client sees then reads alike.
 *
 * @example
 * const server = createServer(app);
 * answerParserRefusals(server);
 */
export function answerParserRefusals(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // Gone, or an answer already begun on this connection: nothing can be said any more.
    if (error.code === 'ECONNRESET' || !socket.writable || (socket as Socket).bytesWritten > 0) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      errors: [{ message: tooLarge ? 'The request headers are too large' : 'The request is not valid HTTP' }],
    });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
