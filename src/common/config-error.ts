/** A bad field of a configuration file a command reads (a lake, a stack): file, field path, reason. */
export class ConfigFieldError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    reason: string,
  ) {
    super(`${file}: ${field || '(top level)'}: ${reason}`);
    this.name = new.target.name;
  }
}
