/*
 * version.h - the release of places-fcgi, shared by places.fcgi --version
 * and placesctl --version so the two cannot disagree.  A build may set
 * another one: make CFLAGS+='-DPLACES_VERSION=\"...\"'.
 */
#ifndef PLACES_VERSION_H
#define PLACES_VERSION_H

#ifndef PLACES_VERSION
#define PLACES_VERSION	"0.1.0"
#endif

#endif
