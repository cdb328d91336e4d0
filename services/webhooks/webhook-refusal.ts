// A refused webhook request or endpoint change: a user error with the HTTP status the API answers it
// with (the API's error handler reads `status`, as it does an upload's refusal).
import { UserError } from '../common/errors.js';

export class WebhookRefusal extends UserError {
  constructor(readonly status: number, code: string, message: string) {
    super(code, message);
  }
}
