/** The shared recording logger (test/support), under the path this app's tests import. */
export * from '../../../test/support/recording-logger';
