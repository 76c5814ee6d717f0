import type { ControlPorts } from '../control/ports'
import type { AppEnv } from '../env'

/** The management API's context: the Worker's, plus the operator key that authenticated. */
export interface AdminEnv {
  Bindings: AppEnv['Bindings']
  Variables: AppEnv['Variables'] & {
    ports: ControlPorts
    /** The id of the operator key (`key_…`), recorded with every action. */
    operatorKeyId: string
    /** The clear key, held only for this request: idempotent answers are encrypted under it. */
    operatorKey: string
  }
}
