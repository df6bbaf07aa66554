// Frequent French given names and surnames, so the demo data reads like a real IUT roster.

export const FEMALE_FIRST_NAMES = [
  'Emma', 'Jade', 'Louise', 'Alice', 'Chloé', 'Lina', 'Léa', 'Rose', 'Anna', 'Mila', 'Inès', 'Ambre', 'Julia',
  'Manon', 'Camille', 'Léna', 'Zoé', 'Sarah', 'Lucie', 'Juliette', 'Eva', 'Clara', 'Romane', 'Margaux', 'Lola',
  'Agathe', 'Nina', 'Maëlys', 'Héloïse', 'Océane', 'Yasmine', 'Salomé', 'Anaïs', 'Mathilde', 'Elise', 'Noémie',
];

export const MALE_FIRST_NAMES = [
  'Gabriel', 'Léo', 'Raphaël', 'Louis', 'Arthur', 'Jules', 'Adam', 'Maël', 'Lucas', 'Hugo', 'Noah', 'Liam',
  'Gabin', 'Sacha', 'Paul', 'Nathan', 'Aaron', 'Mohamed', 'Ethan', 'Tom', 'Théo', 'Victor', 'Mathis', 'Enzo',
  'Baptiste', 'Antoine', 'Maxime', 'Alexandre', 'Clément', 'Quentin', 'Yanis', 'Rayan', 'Thomas', 'Nicolas',
  'Romain', 'Killian',
];

export const LAST_NAMES = [
  'Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent', 'Simon',
  'Michel', 'Lefèvre', 'Leroy', 'Roux', 'David', 'Bertrand', 'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont',
  'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Muller', 'Lefebvre', 'Faure', 'André', 'Mercier', 'Blanc',
  'Guérin', 'Boyer', 'Garnier', 'Chevalier', 'François', 'Legrand', 'Gauthier', 'Garcia', 'Perrin', 'Robin',
  'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Gautier', 'Masson', 'Marchand', 'Duval',
  'Denis', 'Dumont', 'Marie', 'Lemaire', 'Noël', 'Meyer', 'Dufour', 'Meunier', 'Brun', 'Blanchard', 'Giraud',
  'Joly', 'Rivière', 'Lucas', 'Brunet', 'Gaillard', 'Barbier', 'Arnaud', 'Martinez', 'Gérard', 'Roche',
  'Renard', 'Schmitt', 'Roy', 'Leroux', 'Colin', 'Vidal', 'Caron', 'Picard', 'Roger', 'Fabre', 'Aubert',
  'Lemoine', 'Renaud', 'Dumas', 'Lacroix', 'Olivier', 'Philippe', 'Bourgeois', 'Pierre', 'Benoît', 'Rey',
  'Le Gall', 'Le Goff', "N'Diaye", 'Nguyen', 'Benali', 'Da Silva', 'Ferreira',
];

export const BIRTH_PLACES = [
  'Villetaneuse', 'Saint-Denis', 'Paris', 'Bobigny', 'Montreuil', 'Lille', 'Lyon', 'Marseille', 'Toulouse',
  'Nantes', 'Rennes', 'Colmar', 'Mulhouse', 'Strasbourg', 'Béthune', 'Lens', 'Amiens', 'Rouen', 'Dakar', 'Tunis',
];
