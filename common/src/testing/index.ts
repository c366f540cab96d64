export { NatsServer, type NatsServerOptions } from './nats-server';
export { PostgresServer, type PostgresServerOptions } from './postgres-server';
export { MissingBinaryError } from './system-binary';
export { freePort } from './free-port';
export { waitFor, type WaitForOptions } from './wait-for';
export { createTestInfrastructure, type TestInfrastructure } from './test-infrastructure';
export { EventRecorder, type RecordedEvent } from './event-recorder';
export { OpenApiValidator, type CheckedResponse } from './openapi-validator';
export { ServiceUnderTest, TEST_JWT_KEY } from './service-under-test';
