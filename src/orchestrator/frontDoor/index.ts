/**
 * The front door of the core: all the editor (src/extension) imports of it. The editor acts through
 * MissionHost and renders the view models it publishes, which are defined in src/shared; besides
 * that it needs only what it builds the host from (its logger, the user's provenance key, the
 * settings as read from the editor's configuration) and the bound of a plan's feedback.
 */
export { MissionHost, type MissionHostOptions } from "../host/missionHost";
export { readHostSettings, type HostSettings, type SettingLayers } from "../host/hostSettings";
export { RedactingLogger, type Logger } from "../common/logger";
export { Provenance } from "../workspace/provenance";
export { MAX_FEEDBACK_CHARS } from "../mission/planApproval";
