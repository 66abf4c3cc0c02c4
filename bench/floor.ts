/** The floor, as the bench runs it: bench/floor-server.ts with nothing added. */
import { startFloor } from './floor-server.js';

startFloor();
