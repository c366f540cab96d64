// Scheduled maintenance shared by every service: filled in by the expiration issue's work.
export {};
