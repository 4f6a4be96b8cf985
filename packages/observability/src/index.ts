export { routeToOwner, ownerFromFrames, runOf, OWNER_TAG, type OwnerMetadata, type RoutingContext } from './ownership';
