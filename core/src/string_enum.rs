//! `string_enum!`: closed sets of values stored as snake_case strings.
//!
//! The stored form is a plain string so JavaScript clients read and write it naturally. A
//! string this build does not know (written by a newer client) reads as the enum's declared
//! fallback instead of making the whole document unreadable; it is only overwritten when that
//! field is edited.

/// Declares an enum stored as a string, with `as_str`, `parse`, `ALL`, Automerge
/// hydrate/reconcile and serde (as the same string).
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident fallback $fallback:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// The value stored as `text`, if this build knows it.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// The value stored as `text`, or the fallback for a string this build does not
            /// know.
            pub fn from_stored(text: &str) -> Self {
                Self::parse(text).unwrap_or(Self::$fallback)
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
                Ok(Self::from_stored(s))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from_stored(&text))
            }
        }

        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
                reconciler.str(self.as_str())
            }
        }
    };
}

pub(crate) use string_enum;
